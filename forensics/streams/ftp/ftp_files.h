// File extraction for FTP data channels: a DataObserver that stores what RETR (download) and
// STOR/STOU/APPE (upload) channels carry through the context's FileSink. Directory listings
// (LIST/NLST/MLSD) are not files.
#pragma once

#include <memory>

#include "forensics/streams/ftp/ftp_session.h"

namespace netcap::app::ftp {

// The observer for one data connection, or nullptr when ctx.files() is null.
std::unique_ptr<DataObserver> make_file_observer(AppContext& ctx);

}  // namespace netcap::app::ftp
