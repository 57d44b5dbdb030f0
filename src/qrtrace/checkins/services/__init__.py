"""Check-in use-cases, one module per subject: visits, the gate, personal codes, devices, visitor
logs and check-in limits."""
