"""What billing does when screening or care announce their work (filled in below)."""
