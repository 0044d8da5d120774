"""The synthetic demo network: invented families and staff for trying dyadcare safely."""
