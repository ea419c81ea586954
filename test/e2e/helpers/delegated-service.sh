#!/bin/sh
# A service that manages its own cgroup subtree (Delegate=yes), as a container
# manager or a browser does: it keeps itself in main/ and runs its worker
# (the command line it is given) in worker/, a cgroup no unit owns. When the
# worker is gone, the service goes on (sleeping), as one that outlives a lost
# worker. For the e2e test system-delegated-kill.
#
# usage: delegated-service.sh CMD [ARGS...]
set -eu
CG=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
mkdir "$CG/main" "$CG/worker"
echo $$ > "$CG/main/cgroup.procs"
sh -c 'echo $$ > "$0/worker/cgroup.procs" && exec "$@"' "$CG" "$@" &
wait || echo "worker ended: $?"
exec sleep 600
