print("bench-melody: not yet")
