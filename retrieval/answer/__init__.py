"""Answer: analyse the question, score the evidence, decide refusal, compose and check citations."""
