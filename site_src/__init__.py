"""career-guides: a static site generator for career guides."""
