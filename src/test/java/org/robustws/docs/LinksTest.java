package org.robustws.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of the Markdown files leads to a file of the repository, and every {@code
 * .md} file a source file, script or document names exists: a reader who follows one finds it.
 */
class LinksTest {
  private static final Set<String> SKIPPED = Set.of(".git", "target", "node_modules", "work");
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  // a name, not the end of a shell variable ($OUT.md) or of a longer one
  private static final Pattern NAMED =
      Pattern.compile("(?<![$}{\\w./-])[A-Za-z0-9_./-]*[A-Za-z0-9_-]\\.md\\b");

  @Test
  void relativeLinksInMarkdownLeadToFiles() throws IOException {
    List<String> broken = new ArrayList<>();
    for (Path doc : files(".md")) {
      Matcher link = LINK.matcher(Files.readString(doc));
      while (link.find()) {
        String target = link.group(1);
        if (target.matches("^[a-z]+:.*") || target.startsWith("#")) {
          continue; // another site, or a heading of the same page
        }
        Path file = doc.resolveSibling(target.replaceFirst("#.*", "")).normalize();
        if (!Files.exists(file)) {
          broken.add(doc + ": " + target);
        }
      }
    }
    assertEquals(List.of(), broken);
  }

  @Test
  void everyMarkdownFileNamedExists() throws IOException {
    List<String> docs = new ArrayList<>();
    try (Stream<Path> all = Files.walk(Path.of("."))) {
      all.filter(p -> p.toString().endsWith(".md"))
          .forEach(p -> docs.add(p.normalize().toString()));
    }
    List<String> missing = new ArrayList<>();
    for (Path file : files("")) {
      String text = Files.readString(file);
      Matcher named = NAMED.matcher(text);
      while (named.find()) {
        String name = named.group().replaceFirst("^\\./", "");
        boolean found =
            Files.exists(file.resolveSibling(name))
                || docs.stream().anyMatch(d -> d.equals(name) || d.endsWith("/" + name));
        if (!found) {
          missing.add(file + ": " + name);
        }
      }
    }
    assertEquals(List.of(), missing);
  }

  /** The repository's text files ending with {@code suffix}, build output and results aside. */
  private static List<Path> files(String suffix) throws IOException {
    try (Stream<Path> all = Files.walk(Path.of("."))) {
      return all.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(suffix))
          .filter(p -> !p.toString().startsWith("./bench/results"))
          .filter(p -> p.toString().matches(".*\\.(md|java|js|mjs|sh|cli|xml|html|yml|conf|py)$"))
          .filter(
              p -> {
                for (Path part : p) {
                  if (SKIPPED.contains(part.toString())) {
                    return false;
                  }
                }
                return true;
              })
          .map(Path::normalize)
          .toList();
    }
  }
}
