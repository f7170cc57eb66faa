from server.kit.migration_sql import sql_migration

ID = "2026-11-26T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Statement lines checked against their statements once per insert, not per row"

# A foreign key checks each row with a query of its own when the transaction commits:
# at three million lines a night that was half of the batch's time. The batch now writes a
# group's statements before their lines, and one check per INSERT finds any line whose
# statement is missing, by one join. Statements are append-only (no UPDATE or DELETE), so
# a line can never lose its statement afterwards.
forwards = sql_migration(
    ID,
    "settlements",
    DESCRIPTION,
    """
    ALTER TABLE statement_line DROP CONSTRAINT statement_line_statement_id_fkey;

    CREATE FUNCTION settlements_line_has_statement() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT FROM added a
                   WHERE NOT EXISTS (SELECT FROM statement s WHERE s.id = a.statement_id))
        THEN
            RAISE EXCEPTION 'a statement line refers to a statement that does not exist'
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
    END
    $$;

    CREATE TRIGGER statement_line_has_statement AFTER INSERT ON statement_line
        REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION settlements_line_has_statement();
    """,
    """
    DROP TRIGGER statement_line_has_statement ON statement_line;
    DROP FUNCTION settlements_line_has_statement();
    ALTER TABLE statement_line ADD FOREIGN KEY (statement_id) REFERENCES statement (id)
        DEFERRABLE INITIALLY DEFERRED;
    """,
)
