-- Per cluster and outlet: the cue words the outlet used to report the claim (said, claimed,
-- admitted, denied, ...), its stances and how many times, so differences of framing show.
CREATE OR REPLACE VIEW claim_wording AS
SELECT cluster_id, outlet,
       list(DISTINCT lower(cue) ORDER BY lower(cue)) FILTER (WHERE cue IS NOT NULL) AS cues,
       list(DISTINCT cue_strength ORDER BY cue_strength) FILTER (WHERE cue_strength IS NOT NULL) AS strengths,
       list(DISTINCT stance ORDER BY stance) AS stances,
       count(*) AS n_claims,
       arg_min(content, (seen_at, claim_id)) AS wording,
       min(seen_at) AS first_seen_at
FROM claims_by_source
WHERE cluster_id IS NOT NULL
GROUP BY cluster_id, outlet
