/*
 * reason.c - names and meanings of the reason codes, generated from the
 * one list in ocv_reasons.h. The switches have no default so that -Wswitch
 * catches a reason added to the enum but not here.
 */
#include <string.h>

#include "ocv.h"

const char *ocv_reason_name(ocv_reason reason)
{
    switch (reason) {
#define OCV_REASON_NAME_CASE(name, number, text, meaning)                                          \
    case name:                                                                                     \
        return text;
        OCV_REASON_LIST(OCV_REASON_NAME_CASE)
#undef OCV_REASON_NAME_CASE
    }
    return "UNKNOWN";
}

const char *ocv_reason_meaning(ocv_reason reason)
{
    switch (reason) {
#define OCV_REASON_MEANING_CASE(name, number, text, meaning)                                       \
    case name:                                                                                     \
        return meaning;
        OCV_REASON_LIST(OCV_REASON_MEANING_CASE)
#undef OCV_REASON_MEANING_CASE
    }
    return "unknown reason";
}

int ocv_reason_from_name(const char *name)
{
    if (name == NULL)
        return -1;
#define OCV_REASON_PARSE(id, number, text, meaning)                                                \
    if (strcmp(name, text) == 0)                                                                   \
        return number;
    OCV_REASON_LIST(OCV_REASON_PARSE)
#undef OCV_REASON_PARSE
    return -1;
}

const char *ocv_version(void)
{
    return OCV_VERSION;
}
