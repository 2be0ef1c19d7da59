"""Airflow DAG: collect blog posts and comments, one mapped task per blog. Logic: collectors/blogs.py."""

from __future__ import annotations

from airflow.sdk import dag, task

from tiemeter.assets import LANDING_BLOGS
from tiemeter.schedule import collect_dag_settings


@dag(
    dag_id="tiemeter_collect_blogs",
    **collect_dag_settings(),
    doc_md="""
### tiemeter: collect from blogs

One mapped task per `[[blogs]]` entry of `tiemeter.toml`: the posts feed, comment feeds, WordPress
REST or Disqus (the key from the Airflow connection `disqus_api` or the env `DISQUS_API_KEY`, looked
up when the task runs). Conditional GET keeps unchanged feeds cheap. A feed that fails is reported and
the rest of the blog still lands, and the task ends skipped (as `tiemeter collect blogs` exits 3); a
blog that fails does not stop the others. Each finished blog
updates the `tiemeter://landing/blogs` Asset, which schedules `tiemeter_build_warehouse`.
""",
)
def tiemeter_collect_blogs():
    @task
    def plan() -> list[str]:
        from tiemeter.airflow_tasks import plan_blogs

        return plan_blogs()

    # the UI names each mapped task by its blog, not 0, 1, 2
    @task(outlets=[LANDING_BLOGS], max_active_tis_per_dag=2, map_index_template="{{ blog_name }}")
    def collect(blog: str) -> str:
        from airflow.sdk import get_current_context

        from tiemeter.airflow_tasks import collect_blog

        get_current_context()["blog_name"] = blog
        return collect_blog(blog)

    collect.expand(blog=plan())


tiemeter_collect_blogs()
