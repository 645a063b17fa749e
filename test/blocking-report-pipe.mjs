// Preloaded into every test file's process by scripts/test.sh. With --test-force-exit, a file's process exits as
// soon as its last test ends, and its verdicts go to the runner through stdout, a pipe that Node writes without
// blocking: what was still buffered was lost, and the run reported fewer tests than ran, still passing
// (nodejs/node#64833; here a whole suite of a kickstart file went missing from a green CI run). Written blocking,
// every verdict is in the pipe before the process can exit.
process.stdout._handle?.setBlocking?.(true);
