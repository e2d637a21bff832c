"""Static check of zuul.d/ and playbooks/ (Zuul itself cannot run here).

YAML parses; every job has a name and a parent; jobs that name a parent
defined here find it; post-run playbooks and the scripts they run exist;
each job enables our DevStack plugin and agent service (or its parent
does); the check/gate pipelines name only jobs defined here or upstream
ones listed in UPSTREAM. Prints problems, exits 1 if any.
"""
import os
import re
import sys

import yaml

REPO = sys.argv[1] if len(sys.argv) > 1 else '.'
UPSTREAM = {'devstack-tempest', 'tempest-multinode-full-py3',
            'openstack-tox-pep8'}
bad = []
jobs = {}
projects = []
for name in sorted(os.listdir(os.path.join(REPO, 'zuul.d'))):
    with open(os.path.join(REPO, 'zuul.d', name)) as f:
        for item in yaml.safe_load(f) or []:
            if 'job' in item:
                jobs[item['job']['name']] = item['job']
            elif 'project' in item:
                projects.append(item['project'])


def inherited(job, key):
    """The variable as Zuul sees it: dicts merged down the parent chain."""
    chain = []
    while job is not None:
        chain.insert(0, job.get('vars', {}).get(key))
        job = jobs.get(job.get('parent'))
    value = None
    for v in chain:
        if isinstance(v, dict):
            value = dict(value or {}, **v)
        elif v is not None:
            value = v
    return value


for name, job in jobs.items():
    parent = job.get('parent')
    if not parent:
        bad.append('%s: no parent' % name)
    elif parent not in jobs and parent not in UPSTREAM:
        bad.append('%s: unknown parent %s' % (name, parent))
    plugins = inherited(job, 'devstack_plugins') or {}
    if 'networking-wireguard' not in plugins:
        bad.append('%s: networking-wireguard plugin not enabled' % name)
    post = job.get('post-run') or (jobs.get(parent) or {}).get('post-run')
    if not post or not os.path.isfile(os.path.join(REPO, post)):
        bad.append('%s: post-run playbook %s missing' % (name, post))
    else:
        text = open(os.path.join(REPO, post)).read()
        for script in re.findall(r'}}/([\w./-]+\.sh)', text):
            if not os.access(os.path.join(REPO, script), os.X_OK):
                bad.append('%s: %s not executable' % (post, script))
    services = dict(inherited(job, 'devstack_services') or {})
    sub = job.get('group-vars', {}).get('subnode', {})
    services.update(sub.get('devstack_services', {}))
    if not services.get('neutron-wireguard-agent'):
        bad.append('%s: neutron-wireguard-agent not enabled' % name)
for project in projects:
    for pipeline in ('check', 'gate'):
        for entry in project.get(pipeline, {}).get('jobs', []):
            jname = entry if isinstance(entry, str) else next(iter(entry))
            if jname not in jobs and jname not in UPSTREAM:
                bad.append('%s: unknown job %s' % (pipeline, jname))
for line in bad:
    print(line)
print('zuul: %d jobs, %d problems' % (len(jobs), len(bad)))
sys.exit(1 if bad else 0)
