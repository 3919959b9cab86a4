"""Storage: SQLAlchemy models, engine and transactions, repositories, migrations."""
