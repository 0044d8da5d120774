"""What the families domain keeps to itself: interfaces use services and selectors."""
