"""Sources: each turns some input (mbox, lore, git) into Series objects."""
