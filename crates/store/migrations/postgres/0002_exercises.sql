-- Exercises, their lessons and actions, and the exercise programme (PostgreSQL). Kept in step
-- with migrations/sqlite/0002_exercises.sql. Dates are ISO text (YYYY-MM-DD).
CREATE TABLE exercises (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    scenario_id TEXT NOT NULL,
    held_on TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('discussion', 'tabletop', 'command-post', 'live')),
    lead TEXT NOT NULL DEFAULT '',
    objectives TEXT NOT NULL DEFAULT '',
    participants TEXT NOT NULL DEFAULT '[]',
    run_json TEXT,
    run_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX exercises_org ON exercises (org_id, held_on);
CREATE TABLE lessons (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    exercise_id BIGINT NOT NULL REFERENCES exercises(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    recorded_on TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX lessons_org ON lessons (org_id, exercise_id);
CREATE TABLE actions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    lesson_id BIGINT NOT NULL REFERENCES lessons(id) ON DELETE CASCADE,
    description TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_on TEXT NOT NULL,
    service_id TEXT,
    plan TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'in-progress', 'done')),
    evidence TEXT,
    closed_on TEXT,
    created_at BIGINT NOT NULL,
    CHECK (status <> 'done' OR (evidence IS NOT NULL AND closed_on IS NOT NULL))
);
CREATE INDEX actions_org ON actions (org_id, lesson_id);
CREATE TABLE programme (
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    scenario_id TEXT NOT NULL,
    every_months BIGINT NOT NULL CHECK (every_months BETWEEN 1 AND 120),
    PRIMARY KEY (org_id, scenario_id)
);
