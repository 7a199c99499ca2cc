-- Whether an iteration's prompt was cut to fit the model's context (the executor's feedback, then
-- the previous code shortened): such a refinement saw less than the whole story.
alter table iterations add column trimmed boolean not null default false;
