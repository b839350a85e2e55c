/**
 * Documents derived from the served resources: /version, legacy and aggregated discovery (apidiscovery.k8s.io v2 and
 * v2beta1) and OpenAPI v3 with schemas read off the fabric8 model classes.
 */
package dev.tugboat.control.apiserver.discovery;
