"""`narrative intake`: the one small service beside the static site.

The web form for sharing a story, a writer's status page and withdrawal, and email subscriptions. It screens
with the same core as `narrative check`; the core never imports it. Everything it keeps is personal data, so
all of it is encrypted at rest (`keys`) in one folder that git ignores.
"""
