"""Maintainer memory: an archive of past reviews, precedents in checks, rules learned from it.

* ``mail`` reads archived mail fast; ``ingest`` turns threads into rows;
  ``store`` is the SQLite database; ``shapes`` normalises added lines;
* ``add`` is ``reviewtool archive add/stats``;
* ``precedents`` answers "what did maintainers say about lines / submissions
  like these" for the ``precedent/*`` rules;
* ``learn`` mines recurring remarks into draft rules.
"""
