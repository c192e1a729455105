"""The sales engine, one page of resolved operations at a time: `load` reads what it touches,
`rules` decides each line, `write` saves it in bulk, `messages` words the parked lines."""
