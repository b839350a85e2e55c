/** {@code tug runtime} (runc's command line) and the node-side {@code tug} entry point, {@link dev.tugboat.runtime.cli.RuntimeMain}. */
package dev.tugboat.runtime.cli;
