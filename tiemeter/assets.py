"""The Airflow Assets that link collection to the warehouse build (URIs only: no I/O)."""

from airflow.sdk import Asset

LANDING_X = Asset("tiemeter://landing/x")
LANDING_BLOGS = Asset("tiemeter://landing/blogs")
WAREHOUSE = Asset("tiemeter://warehouse")
WAREHOUSE_POOL = "tiemeter_warehouse"
