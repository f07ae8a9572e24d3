import { describe, expect, it } from 'vitest';
import { classifyBaseName } from './base-names.js';

describe('classifyBaseName', () => {
  it.each([
    ['golang:1.22', 'go'],
    ['golang:1.22-alpine', 'go'],
    ['docker.io/library/golang:1.22@sha256:0fb1bda119f4cc07d236c2b98225d1ef0cb6e759a407d5d6d09e58402643679f', 'go'],
    ['public.ecr.aws/docker/library/golang:1.23-bookworm', 'go'],
    ['rust:1.80', 'rust'],
    ['rust:1.80-slim', 'rust'],
    ['maven:3.9-eclipse-temurin-21', 'java'],
    ['gradle:8-jdk21', 'java'],
    ['eclipse-temurin:21-jdk', 'java'],
    ['eclipse-temurin:21', 'java'],
    ['openjdk:17', 'java'],
    ['amazoncorretto:21', 'java'],
    ['node:20', 'node'],
    ['node:20-bookworm', 'node'],
    ['node', 'node'],
    ['python:3.12', 'python'],
    ['ruby:3.3', 'ruby'],
    ['gcc:14', 'c'],
    ['buildpack-deps:bookworm', 'c'],
    ['mcr.microsoft.com/dotnet/sdk:8.0', 'dotnet'],
    ['tomcat:10.1-jdk21-temurin', 'java'],
  ])('%s is a build base (%s)', (name, ecosystem) => {
    const classification = classifyBaseName(name);
    expect(classification.kind).toBe('build');
    expect(classification.ecosystem).toBe(ecosystem);
  });

  it.each([
    'node:20-slim',
    'node:20-alpine',
    'node:20-alpine3.20',
    'python:3.12-slim',
    'python:3.12-slim-bookworm',
    'python:3.12-alpine',
    'ruby:3.3-slim',
    'ruby:3.3-alpine',
    'eclipse-temurin:21-jre',
    'eclipse-temurin:21-jre-alpine',
    'amazoncorretto:21-al2023-headless',
    'alpine:3.20',
    'debian:bookworm',
    'debian:bookworm-slim',
    'ubuntu:24.04',
    'busybox',
    'gcr.io/distroless/static-debian12',
    'gcr.io/distroless/java21-debian12:nonroot',
    'gcr.io/distroless/nodejs22-debian12',
    'nginx:1.27',
    'redis:7.4',
    'postgres:16',
    'httpd:2.4',
    'mcr.microsoft.com/dotnet/aspnet:8.0',
    'tomcat:10.1-jre21',
  ])('%s is a runtime base', (name) => {
    expect(classifyBaseName(name).kind).toBe('runtime');
  });

  it.each([
    'buildpack-deps:bookworm-scm',
    'buildpack-deps:bookworm-curl',
    'node@sha256:21ce120df4188ccdd78b73a0f099045788b0055c84990f5a90905dc59e842dd7',
    'registry.example.com/acme/golang:1.22',
    'bitnami/node:20',
    'tomcat:10.1',
    'php:8.3',
  ])('%s is unknown rather than guessed', (name) => {
    expect(classifyBaseName(name).kind).toBe('unknown');
  });

  it('reports the familiar name it classified', () => {
    expect(classifyBaseName('docker.io/library/golang:1.22').name).toBe('golang:1.22');
    expect(classifyBaseName('index.docker.io/library/node:20-slim').name).toBe('node:20-slim');
  });
});
