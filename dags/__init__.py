"""The workflow files, installed as the package ``tiemeter.dags`` so that an installed tiemeter carries
them: point the scheduler's folder at ``python -m tiemeter.dag_files``. Nothing imports this package;
each file is read by the scheduler on its own."""
