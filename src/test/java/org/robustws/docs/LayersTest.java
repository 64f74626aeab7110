package org.robustws.docs;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The README's Layout rule, checked on the compiled classes: on a message's way down each step's
 * package uses only the packages below it. What calls back up does so through types of the lower
 * package ({@code connection.Outbound}, {@code connection.TrafficListener}) or from outside the way
 * down (the commands of other nodes in {@code cluster/}), so no class of a lower package names one
 * of a higher.
 */
class LayersTest {
  private final JavaClasses classes =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("org.robustws");

  @Test
  void eachStepOfAMessagesWayDownUsesOnlyTheOnesBelow() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("endpoint")
        .definedBy("org.robustws.endpoint..")
        .layer("dispatch")
        .definedBy("org.robustws.dispatch..")
        .layer("fanout")
        .definedBy("org.robustws.fanout..")
        .layer("session")
        .definedBy("org.robustws.session..")
        .layer("channel")
        .definedBy("org.robustws.channel..")
        .layer("stream")
        .definedBy("org.robustws.stream..")
        .layer("connection")
        .definedBy("org.robustws.connection..")
        .whereLayer("endpoint")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("dispatch")
        .mayOnlyBeAccessedByLayers("endpoint")
        .whereLayer("fanout")
        .mayOnlyBeAccessedByLayers("dispatch")
        .whereLayer("session")
        .mayOnlyBeAccessedByLayers("dispatch", "fanout")
        .whereLayer("channel")
        .mayOnlyBeAccessedByLayers("fanout", "session")
        .whereLayer("stream")
        .mayOnlyBeAccessedByLayers("dispatch", "fanout", "session")
        .whereLayer("connection")
        .mayOnlyBeAccessedByLayers("endpoint", "dispatch", "fanout", "session")
        .check(classes);
  }
}
