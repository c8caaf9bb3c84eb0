"""Server-rendered pages for people (templates, forms, NL Design System CSS): the room for them.

Their routes join the app in `api.http.app`'s explicit route table, beside the JSON routes, and
read through the same read models.
"""
