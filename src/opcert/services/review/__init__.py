"""The officer's review: the queue with working-day deadlines, and decisions."""
