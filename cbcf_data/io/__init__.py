"""Layer 2, files on disk: the data package descriptor and its paths, bounded readers, the one
CSV dialect, and writes that change all files or none. Standard library only at import time
(the loader of `import cbcf_data` stands on it); may use `model` for field lists.
"""
