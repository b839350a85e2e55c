/**
 * The cluster's certificates (CA, API server serving certificate, admin client credential) created with
 * BouncyCastle on first start and reused after, and the admin kubeconfig that embeds them.
 */
package dev.tugboat.control.apiserver.pki;
