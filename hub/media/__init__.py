"""Photos people send: checked by their content, cleaned, resized and stored under the data dir.

Shared by every area that takes photos (repair tasks, patrol observations, ...). It has no tables:
each area keeps the stored names it gets back in its own tables and serves the files through its
own routes, to the people allowed to see them.
"""
