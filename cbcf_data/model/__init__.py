"""Layer 1, what a record is: codelists, constrained types, the table models, the bundle and
release documents, and the Table Schema derived from each model. Imports nothing else of the
package but `errors`; everything above builds on it.
"""
