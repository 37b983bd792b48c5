from narrative.mkdocs_hooks import *  # noqa: F401,F403  (MkDocs loads hooks by path; the code lives in the package)
