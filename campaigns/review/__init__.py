"""Reviewing a batch of drafts: what each sentence rests on, the reviewer's decisions, the status a plan reads.

- `grounds`: the one reading of what a draft rests on (its facts, the account's own words);
- `recheck`: the checks an edited draft runs again (lint, grounding) and what changed;
- `decisions`: the decisions, kept in the campaign store file as they are made;
- `status`: the decisions as `review_status` (review.csv) and the plan's `--reviewed-only` filter.
"""
