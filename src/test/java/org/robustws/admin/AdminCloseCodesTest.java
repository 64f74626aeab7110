package org.robustws.admin;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdminCloseCodesTest {
  @ParameterizedTest
  @ValueSource(ints = {1000, 1001, 1008, 1011, 1012, 1013, 4000, 4001, 4500, 4999})
  void allows(int code) {
    assertTrue(AdminCloseCodes.isAllowed(code));
  }

  @ParameterizedTest
  @ValueSource(
      ints = {
        0, 999, 1002, 1003, 1005, 1006, 1007, 1009, 1010, 1014, 1015, 2000, 3000, 3999, 5000, -1
      })
  void refuses(int code) {
    assertFalse(AdminCloseCodes.isAllowed(code));
  }

  @Test
  void reasonLimitIsWhatACloseFrameHolds() {
    assertTrue(AdminCloseCodes.MAX_REASON_BYTES == 125 - 2);
  }
}
