// `streamexec doctor`: which protections of the workers' sandbox are active
// on this machine (README "Security").
#ifndef STREAMEXEC_TOOLS_DOCTOR_H
#define STREAMEXEC_TOOLS_DOCTOR_H

namespace sx::cli {

// Starts one worker per language, runs a trivial unit in each and prints
// what their sandboxes report. Returns 0 if every protection is active, 1
// if some is missing, 2 if a worker could not run.
int doctor(bool json);

}  // namespace sx::cli

#endif
