// A child tied to the thread that starts it (PR_SET_PDEATHSIG) where util-linux's setpriv is missing:
// python3 -c PDEATHSIG_EXEC <absolute program> <args…> asks the kernel to SIGTERM the process when
// that thread ends, then execs the program (the setting survives exec). See docs/reliability.md §Child processes.

export const PDEATHSIG_EXEC =
  'import ctypes, os, signal, sys\ntry: ctypes.CDLL(None).prctl(1, signal.SIGTERM)\nexcept Exception: pass\nos.execv(sys.argv[1], sys.argv[1:])';
