-- The catalog as Kubernaut's contract defines a workflow: the environments it serves are a list
-- ('*' for any), it may carry customer and detected labels and its image's digest. Rows written
-- before keep their single environment as a list of one.
ALTER TABLE workflows ALTER COLUMN environment TYPE text[] USING ARRAY[environment];

UPDATE workflows SET labels = jsonb_set(labels, '{environment}', jsonb_build_array(labels -> 'environment'))
WHERE jsonb_typeof(labels -> 'environment') = 'string';

ALTER TABLE workflows
    ADD COLUMN custom_labels    jsonb,
    ADD COLUMN detected_labels  jsonb,
    ADD COLUMN container_digest text;
