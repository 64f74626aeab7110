package org.robustws.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AdmissionControlTest {

  @Test
  void capsPerAddressAndInAllAndGivesPlacesBack() {
    AdmissionControl control = new AdmissionControl(3, 2);
    assertEquals(Admission.OPEN, control.admit("a"));
    assertEquals(Admission.OPEN, control.admit("a"));
    assertEquals(Admission.ADDRESS_FULL, control.check("a"));
    assertEquals(Admission.ADDRESS_FULL, control.admit("a"));
    assertEquals(Admission.OPEN, control.admit("b"));
    assertEquals(Admission.FULL, control.check("c"));
    assertEquals(Admission.FULL, control.admit("c"));

    control.release("a");
    assertEquals(Admission.OPEN, control.check("c"));
    assertEquals(Admission.OPEN, control.admit("a"), "the refused attempts reserved nothing");
  }
}
