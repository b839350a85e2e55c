/**
 * Linux system calls for the container runtime through jnr-ffi ({@link dev.tugboat.nativebindings.Linux}: every
 * failure names the call, its arguments and the errno), and tug-init, the static C program that is PID 1 of a
 * container ({@link dev.tugboat.nativebindings.TugInit}). Imports nothing else of Tugboat.
 */
package dev.tugboat.nativebindings;
