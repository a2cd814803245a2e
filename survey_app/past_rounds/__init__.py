"""Past rounds: earlier surveys kept in spreadsheets, loaded as closed rounds."""
