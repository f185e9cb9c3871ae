"""Changes to a dataset's records: import a bundle, export a meeting, rewrite in canonical form.

Above `check` (an import is validated before anything is written) and beside `publish`; every
write goes through `cbcf_data.io.writes`.
"""
