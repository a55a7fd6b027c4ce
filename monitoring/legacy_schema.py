"""For the migrations that take apart what monitoring and the grid once held of the apps
above them: a column that a database migrated before the layers has, and a fresh one never had."""


def columns(schema_editor, table: str) -> set[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if table not in connection.introspection.table_names(cursor):
            return set()
        return {column.name for column in connection.introspection.get_table_description(cursor, table)}


def drop_column(schema_editor, model, column: str, *, indexes: tuple[str, ...] = ()) -> None:
    """Drop ``column``, which the model's migration state no longer has, with ``indexes``
    (named) that include it; the column's own foreign key and index go with it."""
    quote = schema_editor.quote_name
    if schema_editor.connection.vendor == "sqlite":
        # SQLite drops no column that an index or a foreign key names: rebuild the table
        # from the model's state, which has neither the column nor those indexes, as
        # Django does for every change SQLite cannot ALTER.
        schema_editor._remake_table(model)
        return
    # Checks deferred to the end of the transaction would refuse the ALTER (pending
    # trigger events): run them now.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for index in indexes:
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(index)}")
    schema_editor.execute(f"ALTER TABLE {quote(model._meta.db_table)} DROP COLUMN {quote(column)} CASCADE")
