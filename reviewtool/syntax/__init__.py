"""Real parsers for the languages a patch touches (C and DTS), via tree-sitter.

One place loads the grammars and caches parsers and compiled queries, so
every model built on top (``syntax.c``, ``syntax.dts``) and every
``inside:`` matcher parses the same way.  tree-sitter is imported lazily:
``--help`` and the hooks never pay for it.
"""
