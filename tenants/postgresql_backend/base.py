"""django-tenants' PostgreSQL backend without the repeated `SET search_path`.

django-tenants forgets the server's search path whenever a schema is
chosen, and every request chooses one (routing sets the tenant, then public
again), so each request paid one extra round trip for `SET search_path`
even on a persistent connection that already had that path. This backend
remembers what the server has and skips the statement when it would not
change anything. Whatever can undo a SET (closing the connection, a
rollback, a rollback to a savepoint) makes it forget, so the next cursor
sets the path again.
"""

from django_tenants.postgresql_backend import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        # The search path the server is known to have, or None when unsure.
        self.server_search_path = None
        super().__init__(*args, **kwargs)

    def _handle_search_path(self, cursor=None):
        if self.schema_name and not self._setting_search_path:
            wanted = self._get_cursor_search_paths()
            if wanted == self.server_search_path:
                self.search_path_set_schemas = wanted
                return
        super()._handle_search_path(cursor)
        self.server_search_path = self.search_path_set_schemas

    def close(self):
        self.server_search_path = None
        super().close()

    def rollback(self):
        self.server_search_path = None
        super().rollback()

    def savepoint_rollback(self, sid):
        try:
            super().savepoint_rollback(sid)
        finally:
            self.server_search_path = None
