"""Layer 5, what the project publishes from a dataset: generated schemas and docs (`schema`,
`docs`), releases (`release`), the record-level diff (`diff`), the citation and the terminal
summary (`show`). May import every layer below; never `edit` or `cli`.
"""
