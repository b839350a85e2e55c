/** The OCI runtime spec (config.json) as data, and its parser and validator, which do no I/O but reading the file. */
package dev.tugboat.runtime.oci;
