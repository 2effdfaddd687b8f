"""Knowledge-base overview domain: what the knowledge base holds for one country."""
