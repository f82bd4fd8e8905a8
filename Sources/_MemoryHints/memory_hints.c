// Every hint is an inline function of the header; this file gives SwiftPM a C target to build.
#include "memory_hints.h"
