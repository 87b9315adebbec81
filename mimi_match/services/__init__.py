"""Domain operations: they take the acting user, own the transaction, and raise ``DomainError``s."""
