"""The dbt project (staging -> core -> marts; dbt_project.yml, models/, macros/) and the code that runs
it in-process (project.py) and writes its context tables (context.py)."""
