"""Compare: one question answered by two to four variants of an assistant on the same passages,
found once (run.py); which loaded model each variant uses and whether they can run at once
(plan.py); the variants not kept, saved as named drafts beside the assistant (drafts.py)."""
